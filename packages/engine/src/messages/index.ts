export {
  DEFAULT_MESSAGE_AREAS,
  DEFAULT_POSTS_PER_MINUTE,
  findArea,
  mayPost,
  mayRead,
  readableAreas,
  validateMessageAreas,
  type MessageArea,
  type MessageAreas,
  type MessageAreasProblem,
} from './areas.js';
export { attachMessageAreas, loadMessageAreasFile, messageAreasOf, MessageAreasSource, type MessageAreasSourceOptions } from './source.js';
export { editText, prefersLineMode, type EditTextOptions } from './edit.js';
export { messageAreasMenu, newScan, compose, readFrom, currentArea, POST_RATE_WINDOW_MS } from './board-messages.js';
export { mailBox, sendMail, loginNotices, routeMailNotices, getNewScanAtLogin, setNewScanAtLogin } from './mail-box.js';
