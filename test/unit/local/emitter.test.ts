import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/local/emitter';

describe('Emitter (vscode.Event-shaped, no vscode import)', () => {
  it('delivers to every listener even when one throws, and stops after dispose', () => {
    const e = new Emitter<number>();
    const got: number[] = [];
    e.event(() => {
      throw new Error('a torn-down view');
    });
    const sub = e.event((n) => got.push(n));
    e.fire(1);
    sub.dispose();
    e.fire(2);
    assert.deepEqual(got, [1]);
  });

  it('lets a listener dispose itself while firing', () => {
    const e = new Emitter<void>();
    let calls = 0;
    const sub = e.event(() => {
      calls++;
      sub.dispose();
    });
    e.fire();
    e.fire();
    assert.equal(calls, 1);
  });
});
