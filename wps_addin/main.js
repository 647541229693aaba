// Included by index.html, which WPS opens when it loads the add-in.
document.write("<script language='javascript' src='js/defaults.js'></script>");
document.write("<script language='javascript' src='js/evaltool.js'></script>");
document.write("<script language='javascript' src='js/ribbon.js'></script>");
