from .cli import console

if __name__ == "__main__":  # worker processes (parsing) import this module without running it
    console()
