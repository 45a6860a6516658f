import { fileURLToPath } from "node:url";

import resvg from "@resvg/resvg-js";

/** Shipped with the code so PNG text renders identically on machines without system fonts. */
export const EMBEDDED_FONT = fileURLToPath(new URL("./fonts/DejaVuSans.ttf", import.meta.url));

/** Renders an SVG chart to PNG at twice its size, with the embedded font only. */
export function renderPng(svg: string): Buffer {
  const renderer = new resvg.Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    background: "#ffffff",
    font: {
      loadSystemFonts: false,
      fontFiles: [EMBEDDED_FONT],
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
    logLevel: "off",
  });
  return renderer.render().asPng();
}
