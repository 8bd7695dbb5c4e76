import { describe, expect, it } from 'vitest';
import { type ClusterConfig, type SavedClusterConfig, upgradeConfig } from './state.js';

const volume = { volume: 'Volume1', lun: 'CSV1', path: 'C:\\ClusterStorage\\Volume1' };

describe('a persisted cluster configuration', () => {
  it('loads one saved before the CSV coordinator was renamed: its legacy owner becomes the coordinator', () => {
    const legacy = JSON.parse(
      JSON.stringify({ version: 7, roles: {}, csv: { Volume1: { ...volume, owner: 'HVR2NODO2' } } }),
    ) as SavedClusterConfig;
    expect(upgradeConfig(legacy)).toEqual({
      version: 7,
      roles: {},
      csv: { Volume1: { ...volume, coordinator: 'HVR2NODO2' } },
    });
  });

  it('keeps a current one as it is, a coordinator that is moving (null) included', () => {
    const current: ClusterConfig = {
      version: 3,
      roles: {},
      csv: {
        Volume1: { ...volume, coordinator: null },
        Volume2: { ...volume, volume: 'Volume2', coordinator: 'N1' },
      },
    };
    expect(upgradeConfig(current)).toEqual(current);
  });
});
