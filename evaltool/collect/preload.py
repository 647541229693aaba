"""Imported by the forkserver that consolidation workers fork from: warms it up once, so every
worker starts with its modules imported and the built-in rule sets parsed."""
from evaltool.collect.worker import warm

warm()
