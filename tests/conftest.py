pytest_plugins = ["tests.fix_db", "tests.fix_app", "tests.fix_stripe"]
