"""Translations of a cycle's questionnaire, one entry per translated text and language.

A questionnaire's translatable texts are the section titles a person wrote (generated
principle-section titles are translated at display time, app/reporting/titles.py), section
introductions, question texts, help texts and choice labels (`entries.source_entries`).
Each translation records a hash of its source text (the charter's pattern,
app/charter/translations): when the source changes while the cycle is a draft, the
translation is *outdated*. Once the cycle opens the translations are frozen with the
questionnaire; "copy from last year" copies them along (`copying.copy_into`).

Answers stay as typed: a choice is stored as its source value whatever language it was
read in (`reading.Reading` only changes what is shown).
"""
