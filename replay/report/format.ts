const LOCALE = "en-IE";

/** Characters XML 1.0 forbids (resvg and browsers refuse the whole SVG otherwise) and lone surrogates. */
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Replaces what XML cannot carry, even escaped, with U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, "\ufffd");
}

/** Escapes text for XML, SVG and HTML content and attribute values. */
export function escapeXml(text: string): string {
  return xmlSafe(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Text safe inside a Markdown table cell: no line breaks, pipes or markup that would change the table. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(NOT_XML, "\ufffd")
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/([\\`*_[\]<>|#])/g, "\\$1");
}

/** One CSV field; text that a spreadsheet would run as a formula is prefixed with a quote (CSV injection). */
export function csvField(value: string | number): string {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = value.replace(NOT_XML, "\ufffd");
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString(LOCALE);
}

export function formatDecimal(value: number, digits = 2): string {
  return value.toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits })}%`;
}

/** Money with cents below 1,000 and whole units above; tiny amounts keep 3 significant digits. */
export function formatMoney(value: number, symbol: string): string {
  if (value === 0) return `${symbol}0`;
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 0.01 ? 2 : undefined;
  const text =
    digits === undefined
      ? value.toLocaleString(LOCALE, { maximumSignificantDigits: 3 })
      : value.toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${symbol}${text}`;
}

export function formatEth(value: number): string {
  if (value === 0) return "0 ETH";
  return `${value.toLocaleString(LOCALE, Math.abs(value) >= 1 ? { maximumFractionDigits: 4 } : { maximumSignificantDigits: 4 })} ETH`;
}

const SUFFIXES: readonly [number, string][] = [
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

/** Short axis labels: 1.5M, 250k, 3G. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  for (const [size, suffix] of SUFFIXES) {
    if (abs >= size)
      return `${trimZeros((value / size).toFixed(abs / size >= 100 ? 0 : abs / size >= 10 ? 1 : 2))}${suffix}`;
  }
  if (abs === 0) return "0";
  if (abs < 1) return trimZeros(value.toPrecision(2));
  return trimZeros(value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2));
}

function trimZeros(text: string): string {
  return text.includes(".") && !text.includes("e") ? text.replace(/\.?0+$/, "") : text;
}

export function listLabel(list: string): string {
  return list === "outpatient" ? "Outpatient" : list === "inpatient_daycase" ? "Inpatient / day case" : list;
}
