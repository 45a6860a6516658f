export interface Point {
  readonly x: number;
  readonly y: number;
}

/** y = intercept + slope * x by ordinary least squares. */
export interface LinearFit {
  readonly points: number;
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination, 1 - SSres/SStot; 1 when every y is equal and fitted exactly. */
  readonly rSquared: number;
}

/** Fits a line through the points; undefined when fewer than two distinct x values make a line meaningless. */
export function fitLine(points: readonly Point[]): LinearFit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  let meanX = 0;
  let meanY = 0;
  for (const p of points) {
    meanX += p.x;
    meanY += p.y;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dx = p.x - meanX;
    const dy = p.y - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let ssRes = 0;
  for (const p of points) {
    const r = p.y - (intercept + slope * p.x);
    ssRes += r * r;
  }
  const rSquared = syy === 0 ? 1 : 1 - ssRes / syy;
  return { points: n, slope, intercept, rSquared };
}
