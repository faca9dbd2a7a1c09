"""Open data for analysis: the public search index (`models`, `indexing`, `search`), and
its pages (`views`). Only what the public may read ever enters the index: answers to public
questions from accepted versions, public pledges of listed members, the charter in force."""
