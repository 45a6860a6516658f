/** Seconds in an hour and a day: the chain counts time in seconds (block timestamps, windows, expiries). */
export const HOUR = 60 * 60;
export const DAY = 24 * HOUR;
