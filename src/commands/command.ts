/** One `supplygym <name>` command. Modules in src/commands export one each as `command`. */
export interface Command {
  name: string;
  /** One line for `supplygym --help`. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  run(argv: string[]): Promise<number>;
}
