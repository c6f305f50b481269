import { A3C } from '../../src/algo/a3c.js';
console.log(new A3C({env:'CartPole-v1'}));
