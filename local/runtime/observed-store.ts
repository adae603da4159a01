/**
 * The journey store of the local tools that follow decisions as they are written: the simulator
 * learns timers and outbox entries from them instead of polling the timer index or a table stream.
 */
import { JourneyStore, type SaveRequest, type SaveResult } from '../../functions/adapters/store.ts';

export class ObservedStore extends JourneyStore {
  constructor(
    private readonly onSaved: (request: SaveRequest) => void,
    ...args: ConstructorParameters<typeof JourneyStore>
  ) {
    super(...args);
  }

  override async save(request: SaveRequest): Promise<SaveResult> {
    const result = await super.save(request);
    if (result === 'saved') this.onSaved(request);
    return result;
  }
}
