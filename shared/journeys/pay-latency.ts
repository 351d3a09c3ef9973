/**
 * How long a shop's buyers take to pay, as a compact histogram per customer group: one
 * counter per bucket, updated with an ADD on every payment (no reads, no list that grows).
 */
export const PAY_GROUPS = ['new', 'returning'] as const;
export type PayGroup = (typeof PAY_GROUPS)[number];

/** Upper edges of the buckets, in minutes; the last bucket is open-ended. */
export const PAY_BUCKET_EDGES = [15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440, 2880, 4320] as const;

export type PayHistogram = Record<PayGroup, number[]>;

export function emptyHistogram(): PayHistogram {
  return { new: PAY_BUCKET_EDGES.map(() => 0).concat(0), returning: PAY_BUCKET_EDGES.map(() => 0).concat(0) };
}

/** The bucket a time-to-pay falls in. */
export function payBucket(minutes: number): number {
  const index = PAY_BUCKET_EDGES.findIndex((edge) => minutes <= edge);
  return index === -1 ? PAY_BUCKET_EDGES.length : index;
}

/**
 * The time by which `share` of the group has paid: the upper edge of the bucket in which that
 * share is reached. Undefined with fewer than `minCount` payments, or when the share is only
 * reached in the open-ended last bucket.
 */
export function payQuantileMinutes(counts: readonly number[], share: number, minCount: number): number | undefined {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total < minCount || total === 0) return undefined;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= share * total) return PAY_BUCKET_EDGES[i];
  }
  return undefined;
}
