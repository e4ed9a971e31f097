pytest_plugins = ["tests.fix_app", "tests.fix_db", "tests.fix_stripe"]
