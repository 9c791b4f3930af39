"""Notifications: who hears of what, by which channel, and getting the emails out once.

The machinery lives here; the kinds are declared by the apps that know the objects (each
in its own `notifications.py`, registered from its AppConfig.ready()). Modules, each importing
only those above it in this list (nothing here imports an app above `members`):

- registry     the kinds: label, wording, recipients rule, context hook, preferences offered
- preferences  how each person wants to hear of each kind; one-click unsubscribe links
- centre       the in-app rows, read marks and unread badge (/notifications/)
- rendering    the email of a notification, in its recipient's language
- delivery     claiming, sending, retries, failing addresses, the sweep; the delivery tasks
- outbox       writing rows in the caller's transaction: an event's fan-out, bundles,
               emails outside any event (to a user or to an address without an account)
- digests      the daily and weekly digests
- tasks        the periodic jobs (sweep, digests)
- accounts     members' own kinds (invitations, team changes, account notices)
- views        the centre, the preferences page, unsubscribing (URLs in members.urls)

See docs/notifications.md.
"""
