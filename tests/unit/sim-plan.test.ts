import { describe, expect, it } from 'vitest';
import { generatePlan } from '../../local/simulate/generate.ts';

describe('the simulated shop', () => {
  it('starts no earlier than the period for any seed, whatever the customers’ time zones', () => {
    // The world's clock only moves forward: an action before the start would stop the run.
    const start = new Date('2026-11-02T00:00:00.000Z');
    for (let seed = 1; seed <= 50; seed++) {
      const plan = generatePlan({ seed, customers: 300, days: 60, start });
      const times = plan.actions.map((action) => action.at.getTime());
      expect(Math.min(...times), `seed ${seed}`).toBeGreaterThanOrEqual(start.getTime());
    }
  });
});
