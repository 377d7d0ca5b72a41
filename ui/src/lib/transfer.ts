// Import and export through the shell's commands; import progress arrives as events.
import { listen } from "@tauri-apps/api/event";
import { commands, type ImportReport } from "../commands";

export type { ImportReport };
export type Progress = { done: number; total: number };

export type ImportChoice = { format: string; dryRun: boolean; overwrite: boolean; mapping: string };

export async function importContacts(fileName: string, dataBase64: string, choice: ImportChoice, onProgress?: (p: Progress) => void): Promise<ImportReport> {
  let stop: (() => void) | null = null;
  try {
    if (onProgress) stop = await listen<Progress>("import-progress", (e) => onProgress(e.payload));
  } catch {
    // Outside the app (tests) there is no event bus.
  }
  try {
    return await commands.importContacts(fileName, dataBase64, choice.format, choice.dryRun, choice.overwrite, choice.mapping);
  } finally {
    stop?.();
  }
}

export function exportData(format: string): Promise<string> {
  return commands.exportData(format);
}
