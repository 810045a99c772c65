from jmdi_scorm.cli import main

main()
