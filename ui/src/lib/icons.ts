// Small stroke icons (24×24, drawn with currentColor) for the sidebar, media and contact pages.
// Inline SVG rather than emoji: the Linux webview has no emoji font and shows empty boxes.

const circle = (cx: number, cy: number, r: number) => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
const rect = (x: number, y: number, w: number, h: number, r = 2) =>
  `M${x + r} ${y}h${w - 2 * r}a${r} ${r} 0 0 1 ${r} ${r}v${h - 2 * r}a${r} ${r} 0 0 1 ${-r} ${r}h${-(w - 2 * r)}a${r} ${r} 0 0 1 ${-r} ${-r}v${-(h - 2 * r)}a${r} ${r} 0 0 1 ${r} ${-r}z`;

/** A cog: 8 teeth around a ring. */
function gear(): string {
  const pts: string[] = [];
  const teeth = 8;
  for (let i = 0; i < teeth; i++) {
    const a = (i / teeth) * 2 * Math.PI;
    const w = Math.PI / teeth / 2.2;
    for (const [r, da] of [[7, -w * 1.6], [9.5, -w], [9.5, w], [7, w * 1.6]] as const) {
      pts.push(`${(12 + r * Math.cos(a + da)).toFixed(2)} ${(12 + r * Math.sin(a + da)).toFixed(2)}`);
    }
  }
  return `M${pts.join("L")}z`;
}

export const ICONS = {
  home: ["M3 11 12 3.5 21 11", "M5.5 9.5V20.5h13V9.5", "M10 20.5v-6h4v6"],
  contacts: [circle(9, 8, 3.5), "M2.5 20.5c0-3.6 2.9-6.2 6.5-6.2s6.5 2.6 6.5 6.2", "M15.5 4.7a3.5 3.5 0 0 1 0 6.6", "M18 14.6c2.1.7 3.5 2.9 3.5 5.9"],
  events: [rect(3, 5, 18, 16), "M3 10h18", "M8 3v4", "M16 3v4", "M7.5 14h2", "M11 14h2", "M14.5 14h2", "M7.5 17.5h2", "M11 17.5h2"],
  expenses: ["M6 3h12v18l-3-2-3 2-3-2-3 2z", "M9 8h6", "M9 12h6", "M9 16h3.5"],
  media: [rect(3, 4, 18, 16), circle(8.5, 9.5, 1.8), "M21 15.5l-5-5L6 20"],
  notifications: ["M6 16.5V11a6 6 0 0 1 12 0v5.5l1.8 1.8H4.2z", "M10 21h4"],
  analytics: ["M4 20.5h16", "M7 17v-5", "M12 17V6", "M17 17V9.5"],
  integrations: ["M9 3v5", "M15 3v5", "M6 8h12v3a6 6 0 0 1-12 0z", "M12 17v4"],
  settings: [gear(), circle(12, 12, 3)],
  menu: ["M4 6.5h16", "M4 12h16", "M4 17.5h16"],
  close: ["M6 6l12 12", "M18 6L6 18"],
  plus: ["M12 5v14", "M5 12h14"],
  help: [circle(12, 12, 9), "M9.6 9.4a2.5 2.5 0 1 1 3.6 2.3c-.7.3-1.2 1-1.2 1.7v.6", "M12 17.2v.1"],
  document: ["M6 3h8l4 4v14H6z", "M14 3v4h4", "M9 12.5h6", "M9 16h6"],
  video: [rect(3, 5, 18, 14), "M10 9l5 3-5 3z"],
  audio: ["M9 18V5.5l11-2V16", circle(6, 18, 3), circle(17, 16, 3)],
  image: [rect(3, 4, 18, 16), circle(8.5, 9.5, 1.8), "M21 15.5l-5-5L6 20"],
  attachment: ["M20 11.5l-8.3 8.3a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9"],
  mail: [rect(3, 5, 18, 14), "M3.5 7l8.5 6 8.5-6"],
  phone: ["M5 3.5h3.5l2 5-2.4 1.5a11 11 0 0 0 5.9 5.9l1.5-2.4 5 2V19a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"],
  link: ["M10 14a4 4 0 0 0 5.7 0l3.2-3.2a4 4 0 0 0-5.7-5.7L12 6.3", "M14 10a4 4 0 0 0-5.7 0l-3.2 3.2a4 4 0 0 0 5.7 5.7l1.2-1.2"],
  edit: ["M4 20h4L19 9l-4-4L4 16z", "M13.5 6.5l4 4"],
  back: ["M15 5l-7 7 7 7"],
} as const satisfies Record<string, readonly string[]>;

export type IconName = keyof typeof ICONS;
