"""The narrative 绩效评价报告: drafted from the scored form through jinja2 templates into Word,
and the report ↔ table consistency checks (consistency.py, pure: no Word, no Excel)."""
