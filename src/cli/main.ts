// Placeholder until the router lands: the CLI over src/core.
console.error('switchyard: the CLI is not built yet');
process.exitCode = 2;
