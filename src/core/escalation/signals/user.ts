/**
 * The user's own "Escalate" action. The UI asks for it by sending a RouteRequest with
 * `escalateFrom`; the router reports it in the `escalate` event with this result, so the panel
 * explains every escalation the same way whatever caused it.
 */
import type { RouteRequest, SignalResult } from '../../types';
import { fired } from '../signal';

export function userEscalation(reason?: string): SignalResult {
  const why = reason?.trim();
  return fired('user', why ? { code: 'sig_user_why', why } : { code: 'sig_user' });
}

/** The result for a request that carries `escalateFrom`, or undefined for an ordinary request. */
export function userEscalationFor(req: Pick<RouteRequest, 'escalateFrom'>): SignalResult | undefined {
  return req.escalateFrom ? userEscalation(req.escalateFrom.reason) : undefined;
}
