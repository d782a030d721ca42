/**
 * `settings:get` and `settings:set` on a team desk: the single desk's handlers for this desk's own
 * settings, and the settings the team shares (./team-settings) read from and written to the team.
 */
import { TEAM_SETTING_KEYS, type Handlers, type Settings, type SettingsPatch } from '../contract';
import { PATCH_KEYS, SETTINGS_SCHEMA } from '../engine/settings';
import { settingsHandlers } from '../engine/settings-handlers';
import type { TeamHandlerContext } from './engine-context';

/** The settings handlers of a team desk (see the file comment). */
export function teamSettingsHandlers(
  ctx: TeamHandlerContext,
): Pick<Handlers, 'settings:get' | 'settings:set'> {
  const { settings, options, teamDesk } = ctx;
  const own = settingsHandlers(
    {
      settings,
      options,
      connection: ctx.connection,
      pipeline: {
        setConcurrency: (c) => teamDesk.sender.setConcurrency(c),
        // Single sends only on a team outbox; the rest is read where it is used.
        setBatching: () => undefined,
        setMaxAttempts: () => undefined,
        setRemoteValidation: () => undefined,
      },
    },
    {
      setMetricsPort: (port) => ctx.setMetricsPort(port),
      applyHotFolder: () => ctx.applyHotFolder?.() ?? Promise.resolve(),
      applyConnection: () => ctx.connection.apply(),
    },
  );
  const withShared = (s: Settings): Settings => ({ ...s, sharedByTeam: settings.sharedByTeam() });
  return {
    'settings:get': async () => withShared(await own['settings:get'](undefined)),
    'settings:set': async (patch: SettingsPatch) => {
      // Every value is checked first: a bad one (BAD_SETTING, in a clerk's words) saves nothing.
      for (const key of PATCH_KEYS) {
        if (patch[key] !== undefined) SETTINGS_SCHEMA[key].check(patch[key], options);
      }
      const shared: Partial<Record<(typeof TEAM_SETTING_KEYS)[number], unknown>> = {};
      const rest: SettingsPatch = { ...patch };
      for (const key of TEAM_SETTING_KEYS) {
        if (patch[key] === undefined) continue;
        shared[key] = patch[key];
        delete rest[key];
      }
      // The team's value; this desk's own copy stays as it was (leaving the team gives it back).
      await settings.setShared(shared);
      return withShared(await own['settings:set'](rest));
    },
  };
}
