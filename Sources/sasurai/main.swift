import SasuraiCommandLine

// Everything lives in SasuraiCommandLine so that it can be tested; this file only starts it.
CommandLineTool.main(arguments: Array(CommandLine.arguments.dropFirst()))
