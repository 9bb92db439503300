public let answer = 41
