import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Pages load lazily: on a busy CI machine a first render can take longer than
// testing-library's default of 1 s. findBy* and waitFor wait up to 10 s.
configure({ asyncUtilTimeout: 10_000 });
