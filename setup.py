from glob import glob

from setuptools import find_packages, setup

setup(
    name="evaltool",
    version="0.1.0",
    description="项目支出绩效自评表：填报、校验、计分与绩效评价报告生成",
    python_requires=">=3.10",
    packages=find_packages(include=["evaltool", "evaltool.*"]),
    include_package_data=True,
    # a kind package's data (its label vocabulary, its report template) travels with it
    package_data={"evaltool": ["rules/*.yaml", "samples/*.yaml", "workbook/*.yaml", "report/templates/*",
                               "kinds/*/*.yaml", "kinds/*/templates/*", "publish/*.yaml"]},
    # The built add-in, the blank template and the VBA/ribbon sources travel with a non-editable
    # install too, so `evaltool addin install` works without a source checkout.
    data_files=[
        ("share/evaltool", ["workbook_templates/evaltool.xlam", "workbook_templates/项目支出绩效自评表.xlsx",
                            "workbook_templates/项目支出绩效目标表.xlsx"]),
        ("share/evaltool/macros", sorted(glob("macros/*"))),
    ],
    install_requires=[
        "openpyxl>=3.1",
        "xlwings>=0.30",
        "pandas>=2.0",
        "jinja2>=3.1",
        "python-docx>=1.1",
        "PyYAML>=6.0",
        "click>=8.1",
        "rich>=13",
        "python-calamine>=0.2",
        "olefile>=0.46",
        "lxml>=4.9",
        # `evaltool serve` only (imported lazily): the HTTP service for the WPS add-in
        "starlette>=0.37",
        "uvicorn>=0.29",
    ],
    extras_require={
        "test": ["pytest>=8", "hypothesis>=6", "pytest-benchmark>=4", "oletools>=0.60", "pytest-xdist>=3",
                 "msoffcrypto-tool>=5", "ruff==0.17.6", "mypy==2.4.1", "types-PyYAML"],
    },
    entry_points={"console_scripts": ["evaltool=evaltool.cli:main"]},
)
