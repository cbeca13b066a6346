import SasuraiServer

// Everything lives in SasuraiServer so that it can be tested; this file only starts it.
ServerMain.run(arguments: Array(CommandLine.arguments.dropFirst()))
