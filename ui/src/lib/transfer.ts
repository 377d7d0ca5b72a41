// Import and export, as docs/ui-commands.md describes them. The typed wrappers in
// commands.ts are used when they are there; otherwise the documented command is invoked.
import { invoke } from "@tauri-apps/api/core";
import { commands } from "../commands";

export type ImportReport = { format: string; created: number; merged: number; refused: Array<{ location: string; reason: string }>; dry_run: boolean };

const typed = commands as unknown as {
  importContacts?: (fileName: string, dataBase64: string, format: string, dryRun: boolean) => Promise<ImportReport>;
  exportData?: (format: string) => Promise<string>;
};

export function importContacts(fileName: string, dataBase64: string, format: string, dryRun: boolean): Promise<ImportReport> {
  if (typed.importContacts) return typed.importContacts(fileName, dataBase64, format, dryRun);
  return invoke<ImportReport>("import_contacts", { fileName, dataBase64, format, dryRun });
}

export function exportData(format: string): Promise<string> {
  if (typed.exportData) return typed.exportData(format);
  return invoke<string>("export_data", { format });
}
