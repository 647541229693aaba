"""Form kinds: one package per kind of form (自评表, 评分表, …), each behind core.kinds.FormKind."""
