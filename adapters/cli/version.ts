import packageJson from "../../package.json";

/** The package's version, printed by `instantid --version`. */
export const VERSION: string = packageJson.version;
