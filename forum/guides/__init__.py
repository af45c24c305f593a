"""Guides: facilitators' curated collections of approved posts, published in several formats.

The curation views and models come later; :mod:`forum.guides.document` and
:mod:`forum.guides.export` are the database-free layer they will feed.
"""
