Attribute VB_Name = "EvaltoolRibbon"
' Ribbon callbacks of the evaltool add-in (tab: see customUI14.xml).
' Each callback only hands over to Python; all work and every message to the
' clerk happen in evaltool.excel.entry, which never lets a traceback through.
' Press passes the version of xlwings this add-in's VBA came from (XLWINGS_VERSION,
' in the xlwings module), so Python can say plainly when it has another one.
' Keep this file ASCII: the VBA project is stored in code page 1252.
Option Explicit

Private Sub Press(ByVal button As String)
    RunPython "import evaltool.excel.entry as e; e.press('" & button & "', '" & XLWINGS_VERSION & "')"
End Sub

Sub OnCheck(control As IRibbonControl)
    Press "check"
End Sub

Sub OnScore(control As IRibbonControl)
    Press "score"
End Sub

Sub OnReport(control As IRibbonControl)
    Press "report"
End Sub

' The items of the New menu (one per kind of form, written by `evaltool addin build`): the tag
' holds the kind's name as Python \u escapes, so this module stays ASCII.
Sub OnNewKind(control As IRibbonControl)
    Press "new_sheet:" & control.Tag
End Sub

Sub OnFromTargets(control As IRibbonControl)
    Press "new_from_targets"
End Sub

Sub OnImportCase(control As IRibbonControl)
    Press "import_case"
End Sub

Sub OnExportCase(control As IRibbonControl)
    Press "export_case"
End Sub

Sub OnCollect(control As IRibbonControl)
    Press "collect"
End Sub

Sub OnPublish(control As IRibbonControl)
    Press "publish"
End Sub

Sub OnAbout(control As IRibbonControl)
    Press "about"
End Sub
