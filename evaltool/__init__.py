"""evaltool: fill, check and score the 项目支出绩效自评表 and draft the 绩效评价报告."""

__version__ = "0.1.0"
