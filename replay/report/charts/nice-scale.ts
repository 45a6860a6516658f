export interface NiceScale {
  readonly max: number;
  readonly step: number;
  readonly ticks: readonly number[];
}

/** Round tick values from 0 to at least `max`, about `count` of them (1, 2, 2.5 or 5 times a power of ten). */
export function niceScale(max: number, count = 5): NiceScale {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] };
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i <= Math.round(top / step); i += 1) ticks.push(Number((i * step).toPrecision(12)));
  return { max: top, step, ticks };
}
