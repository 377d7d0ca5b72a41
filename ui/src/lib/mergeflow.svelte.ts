// What follows a merge in any screen that starts one: the message naming what moved, and Undo
// while it is the last merge done here.
import { commands } from "../commands";
import type { MergeReport } from "../bindings";
import { asError, errorText } from "../errors";
import { app } from "./app.svelte";
import { plural } from "./util";

export class MergeFlow {
  /** The last merge done here, while it can still be undone from this screen. */
  done = $state<MergeReport | null>(null);
  message = $state("");
  error = $state("");

  /** `after` refreshes the screen once a merge or its undo is written. */
  constructor(private readonly after: () => unknown = () => {}) {}

  async merged(r: MergeReport): Promise<void> {
    this.done = r;
    this.error = "";
    this.message = `Merged ${plural(r.merged.length + 1, "contact")} into one: ${plural(r.interactions_moved, "interaction")} and ${plural(r.files_moved, "file")} moved.`;
    app.contactsVersion++;
    await this.after();
  }

  async undo(): Promise<void> {
    const d = this.done;
    if (!d) return;
    try {
      await commands.undoMerge(d.merge_id);
      this.done = null;
      this.error = "";
      this.message = "Merge undone: the contacts are back as they were.";
      app.contactsVersion++;
      await this.after();
    } catch (e) {
      this.error = errorText(asError(e));
    }
  }

  clear(): void {
    this.message = "";
    this.error = "";
  }
}
