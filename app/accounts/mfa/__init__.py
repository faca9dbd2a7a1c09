"""A second factor: time-based one-time passwords (RFC 6238) and single-use recovery codes.

Required for every secretariat account (`PACTUM_REQUIRE_SECOND_FACTOR`), optional for
representatives. `services` holds the rules; `views` the enrolment, the login step and the
secretariat's reset.
"""
