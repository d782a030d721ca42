import { describe, expect, it } from 'vitest';
import { parseNotice } from '../../app/team/store-rows';

// The team's NOTIFY payload: `<kind>:<desk>:<ids>`; desks claim only on notices that made
// something due, so a wrong parse would either miss work (until the 1 s poll) or waste claims.
describe('parseNotice', () => {
  it('reads the ids, the desk and whether something became due', () => {
    expect(parseNotice('d:desk-a:1,2,3')).toEqual({
      ids: [1, 2, 3],
      notice: { desk: 'desk-a', due: true },
    });
    expect(parseNotice('n:9b2c-uuid:42')).toEqual({
      ids: [42],
      notice: { desk: '9b2c-uuid', due: false },
    });
  });

  it('"*" (too many ids) and an empty payload mean "re-read everything"', () => {
    expect(parseNotice('n:desk-a:*')).toEqual({ ids: [], notice: { desk: 'desk-a', due: false } });
    expect(parseNotice('')).toEqual({ ids: [] });
    expect(parseNotice(undefined)).toEqual({ ids: [] });
  });

  it('a bare id list (an older desk) is ids only, with nothing said about due work', () => {
    expect(parseNotice('7,8')).toEqual({ ids: [7, 8] });
    expect(parseNotice('*')).toEqual({ ids: [] });
  });

  it('kind "s" says the team\'s shared settings changed, naming no documents', () => {
    expect(parseNotice('s:desk-a:')).toEqual({
      ids: [],
      notice: { desk: 'desk-a', due: false, settings: true },
    });
    // An older desk reads it as "re-read": nothing worse than one list refresh.
    expect(parseNotice('d:desk-a:').notice?.settings).toBeUndefined();
  });

  it('kind "a" says the team\'s access point changed, naming no documents', () => {
    expect(parseNotice('a:desk-b:')).toEqual({
      ids: [],
      notice: { desk: 'desk-b', due: false, accessPoint: true },
    });
    expect(parseNotice('a::').notice).toEqual({ desk: null, due: false, accessPoint: true });
    expect(parseNotice('s:desk-a:').notice?.accessPoint).toBeUndefined();
  });

  it('drops what is not an id', () => {
    expect(parseNotice('d:x:1,abc,-2,0,5')).toEqual({
      ids: [1, 5],
      notice: { desk: 'x', due: true },
    });
  });
});
