/** Shares are applied in parts per million, in integers, so that counts never depend on float rounding. */
export const SHARE_SCALE = 1_000_000;
const HALF = SHARE_SCALE / 2;

export function shareToPpm(share: number): number {
  return Math.round(share * SHARE_SCALE);
}

/** How many of `patients` get a workflow taken up by `share`: round half up, per cohort. */
export function patientsWithShare(patients: number, share: number): number {
  return Math.floor((patients * shareToPpm(share) + HALF) / SHARE_SCALE);
}

/**
 * Whether the patient at 0-based `index` of a cohort gets the workflow. Spreads the chosen patients evenly through
 * the cohort, and over the first n patients selects exactly patientsWithShare(n, share), so an executed slice runs
 * exactly the workflows the model counted.
 */
export function patientHasShare(index: number, share: number): boolean {
  const ppm = shareToPpm(share);
  return Math.floor(((index + 1) * ppm + HALF) / SHARE_SCALE) > Math.floor((index * ppm + HALF) / SHARE_SCALE);
}
