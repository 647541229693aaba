"""The 绩效运行监控表 (项目支出绩效目标执行监控表): budget execution and target progress at 1–N月."""
