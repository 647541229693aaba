"""The 绩效目标表 (申报): the targets a unit files in spring, checked at filing time and carried into
the year-end 自评表 (`evaltool new --from-targets`, `evaltool check 自评表 --targets 目标表`)."""
