"""Trust that does not depend on the database: an installation signing key kept outside it
(`keys`), signed statements over what a sign-off, a verification record and a correction say
(`statements`), and signed checkpoints of the chain head and the audit trail kept in the photo
store (`checkpoints`).

Why: the sign-off chain's SHA-256 hashes alone prove nothing to someone who can write the
database, because they can edit a record and recompute every hash with the project's own
functions. A signature needs a key the database writer does not have, and a truncated tail
needs an expected head the database writer cannot rewind. `field.services.integrity` puts the
three together for `python -m field verify`.
"""
