Attribute VB_Name = "EvaltoolRibbon"
' Ribbon callbacks of the evaltool add-in (tab: see customUI14.xml).
' Each callback only hands over to Python; all work and every message to the
' clerk happen in evaltool.excel.entry, which never lets a traceback through.
' Keep this file ASCII: the VBA project is stored in code page 1252.
Option Explicit

Sub OnCheck(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.check()"
End Sub

Sub OnScore(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.score()"
End Sub

Sub OnReport(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.report()"
End Sub

Sub OnNewSheet(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.new_sheet()"
End Sub

Sub OnImportCase(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.import_case()"
End Sub

Sub OnExportCase(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.export_case()"
End Sub

Sub OnCollect(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.collect()"
End Sub

Sub OnAbout(control As IRibbonControl)
    RunPython "import evaltool.excel.entry as e; e.about()"
End Sub
