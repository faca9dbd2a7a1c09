"""Translations of a charter version, one entry per translated text and language.

A version's translatable texts are its title, preamble, change summary and each principle's
title and text (`entries.source_entries`). Each translation records a hash of the source
text it translates: when the source changes before publication, the translation is
*outdated* until someone translates it again or confirms it still holds. Once the version
is published its translations never change (`guard`).
"""
