print("dept")
