// The one PocketBase client of the portal. The auth token lives in
// localStorage (the SDK's default store) so a reload keeps the session.
import PocketBase from 'pocketbase'

export const pb = new PocketBase(window.location.origin)
// Pages cancel nothing by themselves: the SDK's auto-cancellation of
// duplicate requests would abort a page's parallel loads of one collection.
pb.autoCancellation(false)
