// Message areas (menu key M): the caller's current area (the first they may read, general
// on a fresh board). J jumps, P posts, R reads from the first, L lists, N new-scans every
// area, S searches, A marks all read, Q goes back. Areas and who may read or post them are
// in config/messages.yaml; the engine's messages module does the work and checks access.
import { messageAreasMenu, type Session } from '@carrier/engine';

export default async function messages(s: Session): Promise<void> {
  await messageAreasMenu(s);
}
