/** Networking for providers: proxy/CA routing, locality of endpoints, and the key-origin rule. */
export { createNetwork, bypassesProxy, redactProxy, type Network, type NetworkOptions, type Route } from './proxy';
export { localityOf, isLoopbackHost, isTrustedLocalHost, resolveLocality, type ResolvedLocality } from './locality';
export { originOf, originBoundFetch, type FetchLike } from './keyOrigin';
