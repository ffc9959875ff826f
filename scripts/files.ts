// File areas (menu key F): J jump, L list, T tag, D download (ZMODEM), U upload (ZMODEM,
// into the sysop's quarantine), N new files since your last look, S search, Q back.
// config/files.yaml declares the areas; the engine's files module does the work.
import { filesMenu, type Session } from '@carrier/engine';

export default async function files(s: Session): Promise<void> {
  await filesMenu(s);
}
