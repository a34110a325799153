/**
 * mocha's spec reporter plus the layer counts for the closing line of `npm test`.
 * Use: mocha --reporter ./test/harness/specWithSummary.ts --reporter-option layer=unit
 */
import Mocha from 'mocha';
import { writeSummary } from './summary';

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions & { reporterOption?: { layer?: string } }) {
    super(runner, options);
    const layer = options.reporterOption?.layer ?? 'mocha';
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats;
      writeSummary(layer, { passed: stats?.passes ?? 0, failed: stats?.failures ?? 0, pending: stats?.pending ?? 0 });
    });
  }
}

export = SpecWithSummary;
