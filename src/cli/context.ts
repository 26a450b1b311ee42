import {loadConfig, type LoadedConfig} from '../config/load.js'
import {type Store, openDbReadOnly, openExistingStore, openStore, resolveDbPath} from '../store/db.js'

/** The config a command runs with: --config, else the working directory's file, else defaults. */
export function configFromFlags(flags: {config?: string}): LoadedConfig {
  return loadConfig(flags.config)
}

/** Opens the store named by --db / LRGATE_DB / the default path. */
export function dbFromFlags(flags: {db?: string}): Store {
  return openStore(resolveDbPath(flags.db))
}

/**
 * Opens the store named by --db / LRGATE_DB / the default path for a command that reads what
 * earlier commands stored before writing (check, baseline promote, runs prune): never creates it.
 */
export function existingDbFromFlags(flags: {db?: string}): Store {
  return openExistingStore(resolveDbPath(flags.db))
}

/**
 * Opens the store named by --db / LRGATE_DB / the default path for a read-only command (runs,
 * report, datasets): never creates it or its folder, works on a read-only database.
 */
export function readDbFromFlags(flags: {db?: string}): Store {
  return openDbReadOnly(resolveDbPath(flags.db))
}
